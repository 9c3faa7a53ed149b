Feature: Rooms that call other participants automatically
  Guide, "Calling the VMR": "Your administrator may have configured the VMR to automatically
  call other participants, whenever the first participant calls into that VMR. In which case you
  may initially be the only participant, but other participants may join shortly."
  DESIGN §2 "Automatically dialled participants": dialled when the conference starts (the first
  join, or the first valid PIN where everyone needs one), at least 10 s later, once, no retry,
  never asked for a PIN, with its role, protocol, call type and DTMF sequence.

  Background:
    Given Parley runs the demo configuration
    And Alice uses Skype for Business
    And Bob uses Skype for Business
    And Dave uses a SIP room system at recorder@rooms.example.com

  Scenario: The room calls its automatic participant shortly after the first person joins
    Given "Bob's room" automatically dials recorder@rooms.example.com
    When Alice dials meet.bob@example.com
    Then Alice sees herself
    And Dave is not called
    When 10 seconds pass
    Then Dave is in "Bob's room"
    And Alice sees Dave

  Scenario: Nobody is called before 10 seconds have passed
    Given "Bob's room" automatically dials recorder@rooms.example.com
    When Alice dials meet.bob@example.com
    And 9 seconds pass
    Then Dave is not called

  Scenario: The administrator can make rooms wait longer before calling out
    Given the automatic dialling delay is 30 seconds
    And "Bob's room" automatically dials recorder@rooms.example.com
    When Alice dials meet.bob@example.com
    And 29 seconds pass
    Then Dave is not called
    When 1 second passes
    Then Dave is in "Bob's room"

  Scenario: Where everyone needs a PIN, the room calls out only after the first valid PIN
    Given a meeting room "Locked room" at locked@example.com
    And "Locked room" has the PIN 4321
    And "Locked room" automatically dials recorder@rooms.example.com
    When Alice dials locked@example.com
    And 30 seconds pass
    Then Dave is not called
    When Alice enters 4321# on the dial pad
    And 10 seconds pass
    Then Dave is in "Locked room"

  Scenario: With a Host PIN and a Guest PIN, a Guest's valid PIN starts the room too
    Given a meeting room "Hosted room" at hosted@example.com
    And "Hosted room" has the Host PIN 1111 and the Guest PIN 2222
    And "Hosted room" automatically dials recorder@rooms.example.com
    When Alice dials hosted@example.com
    And 20 seconds pass
    Then Dave is not called
    When Alice enters 2222# on the dial pad
    And 10 seconds pass
    Then Dave is called

  Scenario: Where Guests need no PIN, a Guest's arrival starts the room
    Given "Alice's meeting room" automatically dials recorder@rooms.example.com
    When Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    And 10 seconds pass
    Then Dave is called

  Scenario: The room calls out once, not for every participant
    Given "Bob's room" automatically dials recorder@rooms.example.com
    And Alice dials meet.bob@example.com
    And 10 seconds pass
    When Dave hangs up
    And Bob dials meet.bob@example.com
    And 20 seconds pass
    Then Dave was called 1 time

  Scenario: No second try when the automatic participant does not answer
    Given "Bob's room" automatically dials carol@example.com with:
      | protocol | mssip |
    And Carol uses Skype for Business
    And Carol does not answer calls
    When Alice dials meet.bob@example.com
    And 10 seconds pass
    Then Carol gets a call from "Bob's room"
    When Carol declines the call
    And 5 minutes pass
    Then Carol was called 1 time

  Scenario: The room stops calling an automatic participant who does not answer within a minute
    Given "Bob's room" automatically dials carol@example.com with:
      | protocol | mssip |
    And Carol uses Skype for Business
    And Carol does not answer calls
    When Alice dials meet.bob@example.com
    And 10 seconds pass
    Then Carol gets a call from "Bob's room"
    When 59 seconds pass
    Then Carol's phone is still ringing
    When 1 second passes
    Then Carol's call stops ringing
    When 1 minute passes
    Then Carol was called 1 time
    And Alice is in "Bob's room"

  Scenario: No call to someone who is already in the meeting
    Given "Bob's room" automatically dials recorder@rooms.example.com
    When Dave dials meet.bob@example.com
    And Alice dials meet.bob@example.com
    And 10 seconds pass
    Then Dave was called 0 times
    And Dave is in "Bob's room"

  Scenario: An automatic participant is never asked for a PIN
    Given "Alice's meeting room" automatically dials recorder@rooms.example.com with:
      | role | chair |
    When Alice dials meet.alice**1234@example.com
    And 10 seconds pass
    Then Dave is in "Alice's meeting room"
    And Dave does not see the PIN entry screen

  Scenario Outline: The automatic participant joins with its configured role
    Given "Alice's meeting room" automatically dials recorder@rooms.example.com with:
      | role | <role> |
    And Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    When 10 seconds pass
    Then Dave sees <Dave's screen>
    And Bob sees <Bob's screen>

    Examples:
      | role  | Dave's screen                  | Bob's screen                   |
      | chair | Bob                            | Dave                           |
      | guest | the "Waiting for the host" screen | the "Waiting for the host" screen |

  Scenario: The automatic participant's DTMF sequence is sent after it answers, with pauses
    Given "Bob's room" automatically dials recorder@rooms.example.com with:
      | dtmf_sequence | 55,,123# |
    When Alice dials meet.bob@example.com
    And 10 seconds pass
    Then Dave receives the tones "55"
    When 4 seconds pass
    Then Dave receives the tones "55123#"

  Scenario Outline: Whether an automatic participant alone keeps the meeting going
    Given "Bob's room" automatically dials recorder@rooms.example.com with:
      | keep_conference_alive | <keep alive> |
    And Alice dials meet.bob@example.com
    And Bob dials meet.bob@example.com
    And 10 seconds pass
    When Alice hangs up
    And Bob hangs up
    Then Dave <outcome>

    Examples:
      | keep alive                         | outcome                   |
      | keep_conference_alive              | is in "Bob's room"        |
      | keep_conference_alive_if_multiple  | is disconnected           |
      | keep_conference_alive_never        | is disconnected           |

  Scenario: Two automatic participants alone keep the meeting going when they keep it alive if multiple
    Given Erin uses a SIP room system at archive@rooms.example.com
    And "Bob's room" automatically dials recorder@rooms.example.com
    And "Bob's room" automatically dials archive@rooms.example.com
    And Alice dials meet.bob@example.com
    And 10 seconds pass
    When Alice hangs up
    Then Dave is in "Bob's room"
    And Erin is in "Bob's room"

  Scenario: The room calls a Skype for Business user
    Given Carol uses Skype for Business
    And "Bob's room" automatically dials carol@example.com with:
      | protocol | mssip |
    When Alice dials meet.bob@example.com
    And 10 seconds pass
    Then Carol gets a call from "Bob's room"
    When Carol answers
    Then Carol is in "Bob's room"
    And Alice sees Carol

  # H.323 systems exist only in the simulator until the H.323 adapter (DESIGN §2 "h323").
  @sim-only
  Scenario: The room calls an H.323 room system
    Given Erin uses an H.323 room system at 4401@h323.example.com
    And "Bob's room" automatically dials 4401@h323.example.com with:
      | protocol | h323 |
    When Alice dials meet.bob@example.com
    And 10 seconds pass
    Then Erin is in "Bob's room"

  Scenario: An automatic participant limited to audio gets no video
    Given "Bob's room" automatically dials recorder@rooms.example.com with:
      | call_type | audio |
    When Alice dials meet.bob@example.com
    And 10 seconds pass
    Then Dave is in "Bob's room"
    And Dave receives no video
