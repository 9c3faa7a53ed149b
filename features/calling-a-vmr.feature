Feature: Calling a Virtual Meeting Room from Skype for Business
  Guide, "Making a video call to a Pexip Virtual Meeting Room (VMR)" / "Calling the VMR":
  "You can make a video call to a VMR in exactly the same way as you would make a video call to
  any other Skype for Business / Lync user, initially either by typing in the address of the VMR
  or by selecting an existing VMR from your list of contacts." And: "when the VMR answers, you
  may be the only participant."

  Background:
    Given Parley runs the demo configuration
    And Alice uses Skype for Business
    And Bob uses Skype for Business

  Scenario: The first participant sees themselves until someone joins
    When Alice dials meet.bob@example.com
    Then Alice is in "Bob's room"
    And Alice sees herself

  Scenario: A second participant joins and both see each other in the default 1+7 layout
    Given Alice dials meet.bob@example.com
    When Bob dials meet.bob@example.com
    Then Alice sees Bob in the 1+7 layout
    And Bob sees Alice in the 1+7 layout

  Scenario: Calling a VMR picked from the contact list
    Given Alice adds meet.bob@example.com to her contacts
    When Alice dials meet.bob@example.com
    Then Alice is in "Bob's room"

  Scenario Outline: Every way of writing the address reaches the same room
    Given Bob dials meet.bob@example.com
    When Alice dials <address>
    Then Alice is in "Bob's room"
    And Bob sees Alice

    Examples:
      | address                                    |
      | sip:meet.bob@example.com                   |
      | MEET.BOB@EXAMPLE.COM                       |
      | sip:Meet.Bob@Example.com;transport=tls     |
      | <sip:meet.bob@example.com>                 |
      | "Bob's room" <sip:meet.bob@example.com>    |

  Scenario: Two aliases of one VMR reach the same meeting
    Given a meeting room "Team room" at team@example.com
    And "Team room" also answers at 2001@example.com
    And Alice dials team@example.com
    When Bob dials 2001@example.com
    Then Alice sees Bob
    And Bob is in "Team room"

  Scenario: Calling an address that is neither a VMR nor reachable through the gateway
    When Alice dials meet.nobody@example.com
    Then Alice's call fails

  # H.323 systems exist only in the simulator until the H.323 adapter (DESIGN §2 "h323").
  @sim-only
  Scenario: People on every kind of system meet in the same room
    Given Carol uses the web app
    And Dave uses a SIP room system
    And Erin uses an H.323 room system
    When Alice dials meet.bob@example.com
    And Carol dials meet.bob@example.com
    And Dave dials meet.bob@example.com
    And Erin dials meet.bob@example.com
    Then Alice sees Carol, Dave and Erin
    And Erin sees Alice, Carol and Dave

  Scenario Outline: Hosts and Guests see the layout the administrator chose for them
    Given the administrator gives Hosts of "Alice's meeting room" the <host layout> layout
    And the administrator gives Guests of "Alice's meeting room" the <guest layout> layout
    And Alice dials meet.alice**1234@example.com
    When Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    Then Alice sees Bob in the <host layout> layout
    And Bob sees Alice in the <guest layout> layout

    Examples:
      | host layout | guest layout |
      | 1+0         | 2x2          |
      | 1+21        | 3x3          |
      | 2+21        | 4x4          |
      | adaptive    | 5x5          |

  Scenario: Leaving the meeting
    Given Alice dials meet.bob@example.com
    And Bob dials meet.bob@example.com
    When Bob hangs up
    Then Bob is not in a call
    And Alice is in "Bob's room"
