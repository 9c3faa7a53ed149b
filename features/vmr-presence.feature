Feature: A VMR's presence and picture in the contact list
  Guide, "Calling the VMR": "If the VMR name is correct, the contact's presence should show as
  Available. By default, the picture (avatar) used to represent the VMR contact will be the
  Pexip logo [...] However, the VMR may have been set up to use a different image (potentially a
  different image for each VMR). A VMR presence of Available means that you can make a video call
  to that VMR. It does not necessarily mean that other participants are currently in that VMR
  [...] If the presence status is not Available, e.g. it displays as Presence unknown, you should
  check that you have entered the VMR address correctly."

  Background:
    Given Parley runs the demo configuration
    And Bob uses Skype for Business

  Scenario: A VMR shows as Available with its name and the default picture
    When Bob adds meet.alice@example.com to his contacts
    Then Bob sees meet.alice@example.com as Available
    And Bob sees meet.alice@example.com named "Alice's meeting room"
    And Bob sees meet.alice@example.com with the default picture

  Scenario Outline: Every alias of a VMR shows the VMR
    When Bob adds <address> to his contacts
    Then Bob sees <address> as Available
    And Bob sees <address> named "<name>"

    Examples:
      | address                | name                 |
      | meet.alice@example.com | Alice's meeting room |
      | 1001@example.com       | Alice's meeting room |
      | meet.bob@example.com   | Bob's room           |
      | Meet.Bob@Example.COM   | Bob's room           |

  Scenario: Available does not mean that anyone is in the room
    Given Alice uses Skype for Business
    When Bob adds meet.bob@example.com to his contacts
    Then Bob sees meet.bob@example.com as Available
    When Alice dials meet.bob@example.com
    Then Bob sees meet.bob@example.com as Available
    When Alice hangs up
    Then Bob sees meet.bob@example.com as Available

  Scenario: A VMR with its own picture
    Given a meeting room "Board room" at board@example.com
    And the administrator gives "Board room" its own picture
    When Bob adds board@example.com to his contacts
    Then Bob sees board@example.com as Available
    And Bob sees board@example.com with its own picture
    When Bob adds meet.bob@example.com to his contacts
    Then Bob sees meet.bob@example.com with the default picture

  Scenario Outline: A mistyped VMR address shows Presence unknown
    When Bob adds <address> to his contacts
    Then Bob sees <address> as Presence unknown

    Examples:
      | address                 |
      | meet.alcie@example.com  |
      | meet.alice@exmaple.com  |
      | 1002@example.com        |

  Scenario: Removing a VMR tells the people watching it
    Given Bob adds meet.alice@example.com to his contacts
    When the administrator removes "Alice's meeting room"
    Then Bob sees meet.alice@example.com as Presence unknown

  Scenario: Renaming a VMR tells the people watching it
    Given Bob adds meet.bob@example.com to his contacts
    When the administrator renames "Bob's room" to "Bob's big room"
    Then Bob sees meet.bob@example.com named "Bob's big room"

  Scenario: A new picture reaches the people watching
    Given Bob adds meet.bob@example.com to his contacts
    When the administrator gives "Bob's room" its own picture
    Then Bob sees meet.bob@example.com with its own picture

  Scenario: A VMR's address takes precedence over a gateway rule that also matches it
    Given the gateway rule "Everything at example.com":
      | priority          | 10            |
      | match_string      | .+@example\.com |
      | outgoing_protocol | sip           |
    When Bob adds meet.alice@example.com to his contacts
    Then Bob sees meet.alice@example.com named "Alice's meeting room"
